"""Use cases: page objects + policy + store, in that order. The CLI and jobs call these."""
