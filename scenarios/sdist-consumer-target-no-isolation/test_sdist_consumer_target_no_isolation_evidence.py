"""The source build's evidence: the consumer linked the target copy itself (no isolation),
has no RPATH and no path into a build environment, and loads the target copy."""

from harness.scenarios.source_evidence import consumer_check

test_consumer_built_from_its_sdist = consumer_check(linked_from="target", loaded_from="target")
