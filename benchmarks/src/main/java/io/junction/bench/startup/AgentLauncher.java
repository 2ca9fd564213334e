package io.junction.bench.startup;

import io.junction.bench.targets.ChildProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the agent jar the way the systemd unit does: {@code java $JAVA_OPTS [extra] -jar junction.jar run --config
 * FILE}, with its output in a log file; the unit's {@code -XX:SharedArchiveFile} is left out (the benchmark's CDS
 * runs name their own archive). Immutable.
 *
 * @param java        the java launcher
 * @param unitOptions the unit's JAVA_OPTS, in order
 * @param jar         the agent jar
 */
public record AgentLauncher(Path java, List<String> unitOptions, Path jar) {
    public AgentLauncher {
        unitOptions = List.copyOf(unitOptions);
    }

    /**
     * This JVM's java with the options of the unit file {@code unitText} (read from {@code unitFile}).
     *
     * @throws IllegalArgumentException naming the unit file when it gives no usable JAVA_OPTS
     */
    public static AgentLauncher fromUnit(String unitText, Path unitFile, Path jar) {
        List<String> options;
        try {
            options = UnitJavaOptions.parse(unitText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(unitFile + ": " + e.getMessage(), e);
        }
        // The unit names the host's class-data archive; the benchmark decides itself which runs use one (its own), and
        // a dynamic archive cannot even be made while another is named.
        List<String> withoutArchive = options.stream().filter(o -> !o.startsWith("-XX:SharedArchiveFile=")).toList();
        return new AgentLauncher(Paths.get(System.getProperty("java.home"), "bin", "java"), withoutArchive, jar);
    }

    /** The command line for {@code junction.jar ARGS} with the unit's options and then {@code extra}. */
    List<String> command(List<String> extra, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(unitOptions);
        cmd.addAll(extra);
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts {@code run --config configFile}; the caller stops the process. */
    ChildProcess startAgent(String name, List<String> extra, Path configFile, Path logFile) throws IOException {
        Files.writeString(logFile, "", StandardCharsets.UTF_8);
        return ChildProcess.start(name, command(extra, "run", "--config", configFile.toAbsolutePath().toString()),
                logFile);
    }
}
