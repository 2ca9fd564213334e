package io.junction.core.state;

/**
 * Binds a listener for one service (the contract between the control plane and the forwarding layer, which
 * implements it per protocol). Called by the control thread; binding may block it briefly (never an event loop).
 */
public interface ListenerFactory {

    /**
     * Binds the service's listen address and starts serving it from {@code handle}'s current snapshot.
     *
     * @throws java.io.UncheckedIOException when the address cannot be bound (in use, not local, no permission)
     */
    ServiceListener bind(ServiceHandle handle);
}
