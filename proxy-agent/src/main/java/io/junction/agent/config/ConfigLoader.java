package io.junction.agent.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Loads and validates the agent's YAML config. Every problem in a file is reported at once in one
 * {@link ConfigException}, each with file, line and field path; nothing else escapes. Input is treated as hostile:
 * files over {@link #MAX_FILE_BYTES}, invalid UTF-8, anchors/aliases and deep nesting are refused before anything is
 * interpreted.
 *
 * <p>Typical use: {@code AgentConfig config = new ConfigLoader().load(Path.of("config/junction.yaml"));} and, for
 * {@code junction validate FILE}, catch {@link ConfigException} and print {@link ConfigException#getMessage()}.
 *
 * <p>Thread-safe: each call works on its own state.
 */
public final class ConfigLoader {
    /** Files larger than this (1 MiB) are refused; a real config is a few KiB. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private final HostResolver resolver;

    /** A loader that resolves endpoint host names with the system resolver. */
    public ConfigLoader() {
        this(HostResolver.SYSTEM);
    }

    public ConfigLoader(HostResolver resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** Reads and validates {@code file}; the file name in errors is {@code file} as given. */
    public AgentConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        byte[] content;
        try {
            content = readCapped(file);
        } catch (NoSuchFileException e) {
            throw new Problems(source).fatal(0, "", "file not found", e);
        } catch (IOException | SecurityException e) {
            throw new Problems(source).fatal(0, "", "cannot read the file (" + e + ")", e);
        }
        return parse(content, source);
    }

    /** Validates UTF-8 bytes, such as a file's content read with {@link #readCapped}. */
    public AgentConfig parse(byte[] content, String sourceName) {
        Objects.requireNonNull(content, "content");
        Problems problems = new Problems(Objects.requireNonNull(sourceName, "sourceName"));
        if (content.length > MAX_FILE_BYTES) {
            throw tooLarge(problems);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            int at = lineOfFirstBadByte(content);
            throw problems.fatal(at, "", "the file is not valid UTF-8"
                    + (e instanceof MalformedInputException ? "" : " (" + e + ")"), e);
        }
        return parse(text, problems);
    }

    /** Validates YAML text; {@code sourceName} labels the errors (a file name, or e.g. {@code "<stdin>"}). */
    public AgentConfig parse(String yaml, String sourceName) {
        Objects.requireNonNull(yaml, "yaml");
        Problems problems = new Problems(Objects.requireNonNull(sourceName, "sourceName"));
        // Chars, not bytes: close enough for a sanity cap on text that did not come from a file.
        if (yaml.length() > MAX_FILE_BYTES) {
            throw tooLarge(problems);
        }
        return parse(yaml, problems);
    }

    /**
     * Reads at most {@link #MAX_FILE_BYTES} + 1 bytes of {@code file}, so that a huge (or endless, like a FIFO) file
     * costs no more than that; {@link #parse(byte[], String)} then reports it as too large.
     */
    public static byte[] readCapped(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(MAX_FILE_BYTES + 1);
        }
    }

    private AgentConfig parse(String text, Problems problems) {
        // A byte-order mark is legal UTF-8 but not YAML content.
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        YamlNode root = YamlTreeReader.read(body, problems);
        return new ConfigBinder(problems, resolver).bind(root);
    }

    private static ConfigException tooLarge(Problems problems) {
        return problems.fatal(0, "", "the file is larger than " + (MAX_FILE_BYTES >> 20) + " MiB (a config is a few "
                + "KiB; is this the right file?)", null);
    }

    private static int lineOfFirstBadByte(byte[] content) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int line = 1;
        int i = 0;
        while (i < content.length) {
            int len = sequenceLength(content[i]);
            try {
                if (len < 0 || i + len > content.length) {
                    return line;
                }
                decoder.reset().decode(ByteBuffer.wrap(content, i, len));
            } catch (CharacterCodingException e) {
                return line;
            }
            if (content[i] == '\n') {
                line++;
            }
            i += len;
        }
        return 0;
    }

    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            return 2;
        }
        if (b >= 0xE0 && b <= 0xEF) {
            return 3;
        }
        return b >= 0xF0 && b <= 0xF4 ? 4 : -1;
    }
}
