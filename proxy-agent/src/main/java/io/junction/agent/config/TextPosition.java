package io.junction.agent.config;

/**
 * A 1-based line and column in YAML text, counted the way the YAML engine counts them: line breaks are LF, CRLF, a
 * lone CR, NEL, LS and PS; columns are code points. Immutable.
 *
 * @param line   1-based line
 * @param column 1-based column
 */
record TextPosition(int line, int column) {

    /**
     * {@code position}, or the spot just after the last non-blank character of {@code text} if {@code position} lies
     * beyond it. A syntax error found at the end of the stream (an unclosed {@code [} or quote) is marked after the
     * final line break, on a line that the file does not have, or on trailing blank lines; the last content is where
     * the reader should look.
     */
    static TextPosition clampToContent(String text, TextPosition position) {
        TextPosition end = endOfContent(text);
        if (end == null) {
            return position;
        }
        boolean beyond = position.line > end.line || (position.line == end.line && position.column > end.column);
        return beyond ? end : position;
    }

    /** Just after the last character that is not a space, tab or line break; null if there is none. */
    private static TextPosition endOfContent(String text) {
        int line = 1;
        int column = 1;
        int endLine = 0;
        int endColumn = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            boolean lineBreak = c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029
                    || (c == '\r' && (i >= text.length() || text.charAt(i) != '\n'));
            if (lineBreak) {
                line++;
                column = 1;
                continue;
            }
            column++;
            if (c != ' ' && c != '\t' && c != '\r') {
                endLine = line;
                endColumn = column;
            }
        }
        return endLine == 0 ? null : new TextPosition(endLine, endColumn);
    }
}
