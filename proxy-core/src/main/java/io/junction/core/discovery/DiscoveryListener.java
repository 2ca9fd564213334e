package io.junction.core.discovery;

import io.junction.core.model.ServiceKey;

import java.util.Map;

/**
 * Receives what discovery sources learn. Calls may come from any source thread; implementations only record the
 * change and return quickly (the control thread applies it later, in a batch). Like gRPC's name-resolver listener,
 * errors are reported here, never thrown into the source.
 *
 * <p>Thread-safe.
 */
public interface DiscoveryListener {

    /**
     * The complete state of {@code source}: services it no longer lists are gone from it. The first call from a
     * source also marks it as synced.
     */
    void onReplace(String source, Map<ServiceKey, ServiceDefinition> services);

    /** One service of {@code source} changed; a null definition removes it from that source. */
    void onChange(String source, ServiceKey key, ServiceDefinition definition);

    /**
     * The source failed to read or apply new input. The last good state stays in force; the message names the
     * input (file, line, field, object) and the reason. The source logs the error itself, once; the listener only
     * records it for the status API.
     */
    void onError(String source, String message, Throwable cause);
}
