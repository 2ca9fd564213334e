package io.junction.core.lb;

/**
 * Passive health's view of one backend: the data path reports what real connections and datagrams met, and asks
 * whether a new connection may go to a backend that is being tested after an ejection. Implemented by the health
 * package (a circuit breaker per endpoint) and attached to a {@link Backend} by the control thread.
 *
 * <p>Thread-safe; called from every event loop, so implementations take no lock shared by them all and allocate
 * nothing per call while the endpoint is healthy.
 */
public interface OutcomeRecorder {

    /** No passive health: every outcome is ignored and every connection admitted. */
    OutcomeRecorder NONE = new OutcomeRecorder() {
        @Override
        public boolean tryAdmit() {
            return true;
        }

        @Override
        public void releaseAdmission() {
        }

        @Override
        public void onSuccess(long connectNanos) {
        }

        @Override
        public void onFailure() {
        }
    };

    /**
     * Whether one more new connection may go to this backend now: always while it is healthy, and only as many as
     * the test allows while it is recovering. A true answer that ends up unused is given back with
     * {@link #releaseAdmission}.
     */
    boolean tryAdmit();

    /** An admission from {@link #tryAdmit} that was not used (the client left before the connect started). */
    void releaseAdmission();

    /** A connect completed (TCP) or the backend answered (UDP), after {@code connectNanos}. */
    void onSuccess(long connectNanos);

    /** A connect was refused, reset or timed out (TCP), or an ICMP port unreachable came back (UDP). */
    void onFailure();
}
