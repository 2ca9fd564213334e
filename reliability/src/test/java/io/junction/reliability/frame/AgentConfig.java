package io.junction.reliability.frame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes agent config files the way operators and ConfigMaps do. */
public final class AgentConfig {
    private AgentConfig() {
    }

    /**
     * The head every scenario config starts with: the admin server on {@code adminPort}, access log off (a scenario
     * reads figures from metrics, not from a line per connection).
     */
    public static String head(int adminPort) {
        return """
                admin:
                  listen: 127.0.0.1:%d
                proxy:
                  accessLog: false
                  shutdownDrainTimeout: 1s
                """.formatted(adminPort);
    }

    /** Replaces {@code file} atomically with {@code yaml}, as editors and ConfigMap updates do. */
    public static Path write(Path file, String yaml) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }
}
