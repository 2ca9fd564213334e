package io.junction.core.forward.tcp;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import java.io.ByteArrayOutputStream;

/**
 * Renders a batch of text access-log lines as JSON lines, with Jackson's streaming generator (which escapes every
 * value). A text line is {@code TIME access key=value ...}; its JSON line is
 * {@code {"time":TIME,"service":...,"protocol":...,"client":...,...}} with the same keys in the same order, the
 * {@code protocol} taken from the service key's last segment ({@code tcp} or {@code udp}), {@code bytes_in},
 * {@code bytes_out} and {@code duration_ms} as numbers, and {@code -} (nothing) as {@code null}.
 *
 * <p>Runs on the writer thread only, so the allocation it needs never lands on an event loop. Stateless.
 */
final class AccessLogJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().rootValueSeparator("\n").build();

    private AccessLogJson() {
    }

    /** The batch's lines as JSON lines, each ended by a newline. */
    static byte[] render(String batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(batch.length() + batch.length() / 2);
        boolean any = false;
        try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
            int start = 0;
            while (start < batch.length()) {
                int end = batch.indexOf('\n', start);
                if (end < 0) {
                    end = batch.length();
                }
                if (end > start) {
                    line(g, batch.substring(start, end));
                    any = true;
                }
                start = end + 1;
            }
        }
        if (any) {
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * One line: the time, then every {@code key=value} token in order; a token without {@code =} (the
     * {@code access} marker) carries no field. Values never hold spaces: service names, addresses, results and
     * reasons are all single words.
     */
    private static void line(JsonGenerator g, String line) {
        String[] tokens = line.split(" ");
        g.writeStartObject();
        g.writeStringProperty("time", tokens[0]);
        for (int i = 1; i < tokens.length; i++) {
            String token = tokens[i];
            int eq = token.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = token.substring(0, eq);
            String value = token.substring(eq + 1);
            if (value.equals("-")) {
                g.writeNullProperty(key);
            } else if (isNumberField(key) && isDigits(value)) {
                g.writeNumberProperty(key, Long.parseLong(value));
            } else {
                g.writeStringProperty(key, value);
            }
            if (key.equals("service")) {
                g.writeStringProperty("protocol", value.substring(value.lastIndexOf('/') + 1));
            }
        }
        g.writeEndObject();
    }

    private static boolean isNumberField(String key) {
        return key.equals("bytes_in") || key.equals("bytes_out") || key.equals("duration_ms");
    }

    private static boolean isDigits(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
