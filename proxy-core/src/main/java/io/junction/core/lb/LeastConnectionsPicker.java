package io.junction.core.lb;

import java.util.List;

/**
 * Least connections by the {@linkplain TwoChoicesPicker power of two random choices}: the cost of a backend is its
 * {@linkplain Backend#load() load}, live connections plus connects in progress, so a backend that accepts connects
 * slowly, or not at all, is seen as busy while they hang.
 *
 * <p>Thread-safe, lock-free, allocation-free.
 */
final class LeastConnectionsPicker extends TwoChoicesPicker {

    LeastConnectionsPicker(List<Backend> backends) {
        super(backends);
    }

    @Override
    double cost(Backend b) {
        return b.load();
    }
}
