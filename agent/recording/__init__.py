"""Recorded fixture pages: record a read-only flow (HAR + HTML snapshots + manifest), scrub it, replay it
offline through the real page objects, and check the selector pack for drift against it.

    record(config, store, RecordSpec("mine", FlowParams(flow="cancel-dry-run")))  # .record
    replay(folder, config, store)                                                 # .replay
    check(config, fixtures=Path("fixtures/aliexpress"))                           # .drift
"""
