package io.junction.core.state;

import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.ServicePolicy;

import java.net.InetSocketAddress;

/**
 * Derives where this node listens for a service: by default the address its config gives it; in node mode, an
 * address derived from the service's virtual IP. A service without a listen address is known but not served here.
 * Called on the control thread; must not block.
 */
@FunctionalInterface
public interface ListenResolver {

    /** The address the config gives ({@link ServicePolicy#listen()}), or none. */
    ListenResolver CONFIGURED = (definition, policy) -> policy.listen();

    /** Where to listen for the service, or null when this node does not serve it. */
    InetSocketAddress listenAddress(ServiceDefinition definition, ServicePolicy policy);
}
