package io.junction.agent.discovery.eureka;

import java.util.Objects;

/**
 * One instance as Eureka lists it, reduced to what Junction reads. Immutable.
 *
 * @param app               the application name, upper-case as Eureka keeps it
 * @param id                the instance id ({@code instanceId}, else {@code hostName}, as {@code InstanceInfo.getId})
 * @param ipAddr            {@code ipAddr} as given (an IP literal for a usable instance)
 * @param status            {@code status}: UP, DOWN, STARTING, OUT_OF_SERVICE or UNKNOWN
 * @param port              {@code port.$}, 0 when absent
 * @param portEnabled       {@code port.@enabled} is "true"
 * @param securePort        {@code securePort.$}, 0 when absent
 * @param securePortEnabled {@code securePort.@enabled} is "true"
 * @param protocol          {@code metadata.protocol}, or null
 * @param zone              {@code metadata.zone}, or empty
 * @param action            {@code actionType} in a delta: ADDED, MODIFIED or DELETED; null in a full fetch
 */
public record EurekaInstance(String app, String id, String ipAddr, String status, int port, boolean portEnabled,
                             int securePort, boolean securePortEnabled, String protocol, String zone, String action) {
    public EurekaInstance {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        zone = zone == null ? "" : zone;
    }

    /** {@code APP/id}, the name log lines use. */
    public String describe() {
        return app + '/' + id;
    }
}
