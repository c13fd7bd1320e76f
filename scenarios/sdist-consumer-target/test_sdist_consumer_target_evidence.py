"""The source build's evidence: the consumer linked the pinned wheel in the isolated build environment (gone now),
has no RPATH and no path into a build environment, and loads the target copy."""

from harness.scenarios.source_evidence import consumer_check

test_consumer_built_from_its_sdist = consumer_check(linked_from=None, loaded_from="target")
