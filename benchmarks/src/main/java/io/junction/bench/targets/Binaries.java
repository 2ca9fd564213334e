package io.junction.bench.targets;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds executables on PATH plus the sbin folders, where Debian installs haproxy and nginx but which a non-root
 * PATH often lacks. Thread-safe (stateless).
 */
public final class Binaries {
    private static final String[] EXTRA = {"/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/local/bin", "/usr/bin"};

    private Binaries() {
    }

    public static Optional<Path> find(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of(EXTRA));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Paths.get(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
