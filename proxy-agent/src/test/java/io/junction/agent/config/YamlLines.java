package io.junction.agent.config;

/**
 * Lines as a YAML reader counts them, for checking that an error's line is inside its file: breaks are LF, CRLF, a
 * lone CR, NEL, LS and PS; a final break adds none. Shared with the reliability suite's config fuzz scenario.
 */
public final class YamlLines {
    private YamlLines() {
    }

    public static int count(String text) {
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean crlf = c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n';
            boolean lineBreak = c == '\n' || c == '\r' && !crlf || c == '\u0085' || c == '\u2028' || c == '\u2029';
            if (lineBreak && i + 1 < text.length()) {
                lines++;
            }
        }
        return lines;
    }
}
