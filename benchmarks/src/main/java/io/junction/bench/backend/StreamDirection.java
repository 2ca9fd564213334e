package io.junction.bench.backend;

/**
 * Direction of a {@code tcp-stream} connection, sent by the client as the first byte so the same backend serves
 * uploads, downloads and both at once through any transparent L4 proxy. Immutable.
 */
public enum StreamDirection {
    /** Client sends, backend discards. */
    UPLOAD('U'),
    /** Backend sends, client discards. */
    DOWNLOAD('D'),
    /** Both send at full speed at the same time. */
    BOTH('B');

    private final byte header;

    StreamDirection(char header) {
        this.header = (byte) header;
    }

    public byte header() {
        return header;
    }

    public boolean clientSends() {
        return this != DOWNLOAD;
    }

    public boolean backendSends() {
        return this != UPLOAD;
    }

    /** The direction for a header byte, or {@code null} when the byte is not one. */
    public static StreamDirection fromHeader(byte b) {
        for (StreamDirection d : values()) {
            if (d.header == b) {
                return d;
            }
        }
        return null;
    }
}
