"""The source build's evidence: the consumer linked the user copy itself (no isolation),
has no RPATH and no path into a build environment, and loads the user copy."""

from harness.scenarios.source_evidence import consumer_check

test_consumer_built_from_its_sdist = consumer_check(linked_from="user", loaded_from="user")
