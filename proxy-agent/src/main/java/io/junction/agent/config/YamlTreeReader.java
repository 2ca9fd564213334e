package io.junction.agent.config;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads YAML text into a {@link YamlNode} tree with Jackson's streaming YAML parser, keeping the line of every key.
 * Hostile input is refused here, before anything is interpreted: anchors and aliases (the billion-laughs vector; a
 * proxy config has no use for them), nesting deeper than {@link #MAX_DEPTH}, duplicate keys, several documents.
 * Stateless and thread-safe.
 */
final class YamlTreeReader {
    /** The deepest real config is five levels (services, item, endpoints, item, field); this leaves ample room. */
    static final int MAX_DEPTH = 32;

    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .loadSettings(LoadSettings.builder()
                    .setAllowRecursiveKeys(false)
                    .setCodePointLimit(ConfigLoader.MAX_FILE_BYTES + 1)
                    .build())
            // Duplicate keys are reported by readMap, with the line of the first one, and do not stop the load.
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 1)
                    .maxNumberLength(64)
                    .build())
            .build();

    private YamlTreeReader() {
    }

    /** Parses {@code text}; syntax problems are added to {@code problems} and thrown as one exception. */
    static YamlNode read(String text, Problems problems) {
        int badChar = firstNonPrintable(text);
        if (badChar >= 0) {
            // The YAML reader refuses these too, but reports the position of its buffer, not of the character.
            throw problems.fatal(lineAt(text, badChar), "", String.format(
                    "control character U+%04X is not allowed in YAML", (int) text.charAt(badChar)), null);
        }
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw problems.fatal(0, "", "the file is empty (expected a mapping with a 'services' list)", null);
            }
            YamlNode root = readValue(parser, problems, 1, lineOf(parser), "");
            if (parser.nextToken() != null) {
                throw problems.fatal(lineOf(parser), "",
                        "more than one YAML document (expected exactly one; remove the extra '---')", null);
            }
            return root;
        } catch (JacksonException e) {
            throw syntaxError(e, problems);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            // The YAML engine may throw its own unchecked types on malformed input; they are all syntax errors.
            throw problems.fatal(0, "", "cannot parse YAML: " + firstLine(e.getMessage()), e);
        }
    }

    private static YamlNode readValue(JsonParser parser, Problems problems, int depth, int line, String path) {
        rejectAnchorsAndAliases(parser, problems);
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> readMap(parser, problems, depth, line, path);
            case START_ARRAY -> readList(parser, problems, depth, line, path);
            case VALUE_STRING -> YamlNode.scalar(YamlNode.Kind.STRING, line, parser.getString());
            case VALUE_NUMBER_INT -> YamlNode.scalar(YamlNode.Kind.INT, line, parser.getBigIntegerValue().toString());
            case VALUE_NUMBER_FLOAT -> YamlNode.scalar(YamlNode.Kind.FLOAT, line, parser.getString());
            case VALUE_TRUE -> YamlNode.scalar(YamlNode.Kind.BOOL, line, "true");
            case VALUE_FALSE -> YamlNode.scalar(YamlNode.Kind.BOOL, line, "false");
            case VALUE_NULL -> YamlNode.scalar(YamlNode.Kind.NULL, line, "");
            default -> throw problems.fatal(line, "", "unsupported YAML value (" + token + ")", null);
        };
    }

    private static YamlNode readMap(JsonParser parser, Problems problems, int depth, int line, String path) {
        checkDepth(depth, line, problems);
        LinkedHashMap<String, YamlNode> fields = new LinkedHashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            int keyLine = lineOf(parser);
            parser.nextToken();
            String childPath = FieldReader.child(path, name.length() <= 64 ? name : name.substring(0, 61) + "...");
            YamlNode value = readValue(parser, problems, depth + 1, keyLine, childPath);
            if (fields.putIfAbsent(name, value) != null) {
                // A YAML loader would silently keep the last one; that hides mistakes, so it is an error here.
                problems.add(keyLine, childPath, "duplicate key (first at line " + fields.get(name).line() + ")");
            }
        }
        expectEnd(token, JsonToken.END_OBJECT, parser, problems);
        return YamlNode.map(line, fields);
    }

    private static YamlNode readList(JsonParser parser, Problems problems, int depth, int line, String path) {
        checkDepth(depth, line, problems);
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() == null) {
                expectEnd(null, JsonToken.END_ARRAY, parser, problems);
            }
            items.add(readValue(parser, problems, depth + 1, lineOf(parser), FieldReader.index(path, items.size())));
        }
        return YamlNode.list(line, items);
    }

    private static void expectEnd(JsonToken token, JsonToken expected, JsonParser parser, Problems problems) {
        if (token != expected) {
            throw problems.fatal(lineOf(parser), "", "malformed YAML structure near " + token, null);
        }
    }

    private static void checkDepth(int depth, int line, Problems problems) {
        if (depth > MAX_DEPTH) {
            throw problems.fatal(line, "", "nested too deeply (more than " + MAX_DEPTH + " levels)", null);
        }
    }

    private static void rejectAnchorsAndAliases(JsonParser parser, Problems problems) {
        boolean alias = parser instanceof YAMLParser yaml && yaml.isCurrentAlias();
        if (alias || parser.getObjectId() != null) {
            throw problems.fatal(lineOf(parser), "",
                    "YAML anchors and aliases (&name, *name) are not supported; write the value out", null);
        }
    }

    private static int lineOf(JsonParser parser) {
        return Math.max(parser.currentTokenLocation().getLineNr(), 0);
    }

    private static ConfigException syntaxError(JacksonException e, Problems problems) {
        Throwable cause = e.getCause();
        if (cause instanceof MarkedYamlEngineException marked) {
            Mark mark = marked.getProblemMark().or(marked::getContextMark).orElse(null);
            String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
            String where = mark == null ? "" : " (column " + (mark.getColumn() + 1) + ")";
            int line = mark == null ? 0 : mark.getLine() + 1;
            throw problems.fatal(line, "", "YAML syntax error: " + context + marked.getProblem() + where, e);
        }
        int line = e.getLocation() == null ? 0 : Math.max(e.getLocation().getLineNr(), 0);
        int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
        String where = column > 0 ? " (column " + column + ")" : "";
        return problems.fatal(line, "", "YAML syntax error: " + firstLine(e.getOriginalMessage()) + where, e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Index of the first character YAML does not allow in a stream, or -1. */
    private static int firstNonPrintable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean printable = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7E) || c == 0x85
                    || (c >= 0xA0 && c <= 0xFFFD && c != 0xFEFF);
            if (!printable) {
                return i;
            }
        }
        return -1;
    }

    private static int lineAt(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
