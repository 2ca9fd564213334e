package io.junction.core.model;

/**
 * Whether a TCP service starts each backend connection with a PROXY protocol header that carries the client's address
 * ({@code proxyProtocol}), and in which version: text (v1) or binary (v2). Immutable.
 */
public enum ProxyProtocolSend {
    /** No header: the backend sees the proxy as its client. */
    OFF("off"),
    /** A v1 text line, {@code PROXY TCP4 <client> <destination> <port> <port>\r\n}. */
    V1("send-v1"),
    /** A v2 binary header (16 bytes plus the addresses). */
    V2("send-v2");

    private final String configName;

    ProxyProtocolSend(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Parses {@code off}, {@code send-v1} or {@code send-v2} (surrounding blanks ignored). */
    public static ProxyProtocolSend parse(String value) {
        if (value != null) {
            for (ProxyProtocolSend m : values()) {
                if (m.configName.equals(value.trim())) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("proxyProtocol: " + value + " (expected one of: off, send-v1, send-v2)");
    }
}
