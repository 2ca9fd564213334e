package io.junction.agent.discovery.nacos;

import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * One answer to an instance-list request, whichever API version gave it. Immutable.
 *
 * @param checksum    the server's checksum of the list; empty when the server sent none (the v3 API never does, and
 *                    the documented v1 and v2 examples send {@code ""})
 * @param lastRefTime the server's {@code lastRefTime}, or 0 when absent
 * @param hosts       the instances as the server sent them, checked one by one later
 */
record InstanceList(String checksum, long lastRefTime, List<JsonNode> hosts) {
    InstanceList {
        checksum = checksum == null ? "" : checksum;
        hosts = List.copyOf(hosts);
    }
}
