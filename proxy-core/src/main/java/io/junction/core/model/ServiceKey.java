package io.junction.core.model;

import java.util.Objects;

/**
 * Identifies one service port, as kube-proxy's {@code ServicePortName} does: namespace, service name, port name and
 * protocol. The key everything else is indexed by. Immutable.
 *
 * @param namespace the namespace, {@code "default"} for services that come from a file
 * @param name      the service name
 * @param portName  the port name; empty when the service has a single unnamed port
 * @param protocol  tcp or udp
 */
public record ServiceKey(String namespace, String name, String portName, Protocol protocol) {
    public static final String DEFAULT_NAMESPACE = "default";

    public ServiceKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(portName, "portName");
        Objects.requireNonNull(protocol, "protocol");
    }

    public static ServiceKey of(String name, Protocol protocol) {
        return new ServiceKey(DEFAULT_NAMESPACE, name, "", protocol);
    }

    /** {@code namespace/name[:port]/protocol}, the form used in logs, metrics tags and the admin API. */
    @Override
    public String toString() {
        return namespace + '/' + name + (portName.isEmpty() ? "" : ":" + portName) + '/' + protocol.lowerName();
    }
}
