package io.junction.agent.discovery.nacos;

import java.net.URI;
import java.util.Objects;

/**
 * One entry of {@code serverAddr}: where a Nacos server answers HTTP. Immutable.
 *
 * @param scheme {@code http} or {@code https}
 * @param host   a host name or IP literal (IPv6 without brackets)
 * @param port   1..65535
 */
public record NacosServer(String scheme, String host, int port) {
    /** The port Nacos servers and clients use when none is given. */
    public static final int DEFAULT_PORT = 8848;

    public NacosServer {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme: " + scheme + " (expected: http or https)");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /** {@code path} (starting with {@code /nacos}) and {@code query} (already encoded) on this server. */
    URI uri(String path, String query) {
        String h = host.indexOf(':') >= 0 ? '[' + host + ']' : host;
        return URI.create(scheme + "://" + h + ':' + port + path + (query.isEmpty() ? "" : "?" + query));
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }
}
