package io.junction.core.lb;

import java.util.List;

/**
 * Peak EWMA by the {@linkplain TwoChoicesPicker power of two random choices}, as Finagle's and Linkerd's balancers:
 * the cost of a backend is its connect latency, as a {@linkplain PeakEwma peak EWMA} fed by
 * {@link Backend#onConnectSuccess}, times its {@linkplain Backend#load() load} plus one. A backend that connects
 * slowly (an overloaded host, a distant zone) gets fewer connections in proportion, reacting within one connect, and
 * is tried again as its estimate decays.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class PeakEwmaPicker extends TwoChoicesPicker {

    PeakEwmaPicker(List<Backend> backends) {
        super(backends);
    }

    @Override
    double cost(Backend b) {
        return b.peakEwmaCost();
    }
}
