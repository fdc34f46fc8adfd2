"""Use cases: the operations front-ends call. They receive ports and hold no framework types."""
