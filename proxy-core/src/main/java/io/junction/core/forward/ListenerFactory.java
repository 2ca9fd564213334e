package io.junction.core.forward;

import io.junction.core.state.ServiceHandle;

/**
 * Binds a listener for one service. Called by the control thread; binding may block it briefly (never an event loop).
 * One implementation per protocol.
 */
public interface ListenerFactory {

    /**
     * Binds the service's listen address and starts serving it from {@code handle}'s current snapshot.
     *
     * @throws java.io.UncheckedIOException when the address cannot be bound (in use, not local, no permission)
     */
    ServiceListener bind(ServiceHandle handle);
}
