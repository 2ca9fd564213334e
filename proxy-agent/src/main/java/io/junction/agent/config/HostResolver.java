package io.junction.agent.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns an endpoint host name into an address at load time (never on the data path). The default is the system
 * resolver; tests pass their own so they do not depend on DNS. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface HostResolver {

    /** The system resolver ({@link InetAddress#getByName}). */
    HostResolver SYSTEM = InetAddress::getByName;

    /** Resolves {@code host}, a name that is not an IP literal. */
    InetAddress resolve(String host) throws UnknownHostException;
}
