"""Provider adapters: each translates OpenAI-shaped calls to one provider API."""
