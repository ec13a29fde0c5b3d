"""The resources of the REST API, one router per area."""
