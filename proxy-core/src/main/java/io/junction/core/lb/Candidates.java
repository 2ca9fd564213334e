package io.junction.core.lb;

/**
 * How every picker walks on from its first choice: backends the connection has not tried come first, admission
 * ({@link Backend#admits()}) is asked once per candidate and only of a backend the picker is about to return (a
 * true answer may use up one of a recovering backend's test permits), and a tried backend is retried only when every
 * untried one refused, never the one that failed last. Slow start is not applied here: these walks serve retries and
 * overflow, which are rare and must find a backend rather than spread load.
 *
 * <p>Stateless; thread-safe; allocation-free.
 */
final class Candidates {
    private Candidates() {
    }

    /**
     * The lone backend of a service when it admits the connection; returned even when tried, so the connection can
     * retry it.
     */
    static Backend only(Backend backend) {
        return backend.admits() ? backend : null;
    }

    /**
     * Walks {@code list} cyclically from {@code start} (0..n): the first backend the connection has not tried that
     * admits it, passing over {@code asked} (a candidate the caller already asked, or null); then, on a retry, the
     * first tried backend other than {@link PickContext#lastTried()} that admits it. Null when every backend refuses.
     */
    static Backend firstAdmitted(Backend[] list, int start, PickContext context, Backend asked) {
        return firstAdmitted(list, start, context, asked, null);
    }

    /** {@link #firstAdmitted(Backend[], int, PickContext, Backend)} passing over two candidates already asked. */
    static Backend firstAdmitted(Backend[] list, int start, PickContext context, Backend asked, Backend alsoAsked) {
        int n = list.length;
        boolean retry = context != null && context.attempts() > 0;
        for (int k = 0; k < n; k++) {
            Backend b = list[wrap(start + k, n)];
            if (b != asked && b != alsoAsked && !(retry && context.wasTried(b)) && b.admits()) {
                return b;
            }
        }
        if (!retry) {
            return null;
        }
        Backend last = context.lastTried();
        for (int k = 0; k < n; k++) {
            Backend b = list[wrap(start + k, n)];
            if (b != asked && b != alsoAsked && b != last && context.wasTried(b) && b.admits()) {
                return b;
            }
        }
        return null;
    }

    /**
     * The tail of a power-of-two-choices pick, once the two samples are ranked: {@code better}, unless its slow-start
     * draw hands the connection to {@code other} (when both are ramping and unlucky, {@code better} after all); if
     * the chosen one refuses admission, the other; then the first backend from {@code scanStart} on that admits the
     * connection.
     */
    static Backend twoChoices(Backend[] list, Backend better, Backend other, PickContext context, int scanStart) {
        Backend first = better;
        Backend second = other;
        if (!better.passesSlowStart() && other.passesSlowStart()) {
            first = other;
            second = better;
        }
        if (first.admits()) {
            return first;
        }
        if (second.admits()) {
            return second;
        }
        return firstAdmitted(list, scanStart, context, first, second);
    }

    /**
     * Slow start for pickers that walk an array: from {@code start} on, the index of the first backend that
     * {@linkplain Backend#passesSlowStart() passes its slow-start draw}; {@code start} itself when none does (every
     * backend ramping and unlucky: the connection still needs one). Outside slow start the first read decides.
     */
    static int slowStartStep(Backend[] list, int start) {
        int n = list.length;
        for (int k = 0; k < n; k++) {
            int idx = wrap(start + k, n);
            if (list[idx].passesSlowStart()) {
                return idx;
            }
        }
        return start;
    }

    /** {@code idx} in 0..2n-1 folded into 0..n-1 without a division. */
    static int wrap(int idx, int n) {
        return idx >= n ? idx - n : idx;
    }
}
