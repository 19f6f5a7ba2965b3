"""Recorded fixture pages: record a read-only flow (HAR + HTML snapshots + manifest), scrub it, replay it
offline through the real page objects, and check the selector pack for drift against it.

    record(config, store, RecordSpec("default-en", FlowParams(flow="cancel-dry-run")))   # agent.recording.record
    replay(folder, config, store)                                                      # agent.recording.replay
    check(pack, browser, Path("fixtures/aliexpress"))                                  # agent.recording.drift
"""
