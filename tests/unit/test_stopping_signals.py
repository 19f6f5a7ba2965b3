"""agent.stopping with real signals sent to this process: a flag, safe points, a critical section."""

from __future__ import annotations

import os
import signal

import pytest

from agent import stopping
from agent.errors import Stopped


def test_a_signal_is_only_recorded_and_raises_at_the_next_safe_point() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stopping.handling():
        stopping.check()  # nothing asked yet
        os.kill(os.getpid(), signal.SIGTERM)  # handled here, between two bytecodes: nothing raised
        assert stopping.requested() is signal.SIGTERM
        with pytest.raises(Stopped) as stopped:
            stopping.check()
    assert stopped.value.exit_code == 143 and "SIGTERM" in str(stopped.value)
    assert signal.getsignal(signal.SIGTERM) is before  # the previous handler is back


def test_no_stop_inside_a_critical_section_and_sigint_is_130() -> None:
    with stopping.handling():
        with stopping.critical():
            os.kill(os.getpid(), signal.SIGINT)  # not a KeyboardInterrupt
            stopping.check()  # between the journal row and the answer: a no-op
            with stopping.critical():
                stopping.check()
            stopping.check()
        with pytest.raises(Stopped) as stopped:
            stopping.check()  # the first safe point after it
    assert stopped.value.exit_code == 130


def test_on_stop_is_called_instead_of_arming_the_safe_points() -> None:
    seen: list[signal.Signals] = []
    with stopping.handling(on_stop=seen.append):
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal: already stopping
        stopping.check()  # the scheduler's running job is never cut short
        assert stopping.requested() is None
    assert seen == [signal.SIGTERM]


def test_at_a_prompt_a_signal_stops_at_once_but_never_inside_a_critical_section() -> None:
    with stopping.handling(), pytest.raises(Stopped), stopping.interruptible():
        os.kill(os.getpid(), signal.SIGINT)  # raised from the handler, like Ctrl-C at input()
        pytest.fail("the prompt went on after the signal")
    with stopping.handling(), stopping.critical(), stopping.interruptible():
        os.kill(os.getpid(), signal.SIGTERM)  # a prompt inside the critical section: still no stop
        assert stopping.requested() is signal.SIGTERM
