package io.junction.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Install on a host" sequence, run for real into a scratch root (a {@code DESTDIR}-style install):
 * every file command runs with its absolute paths under the scratch root, and every path the systemd unit names
 * (the jar, the config, the read-only directory, the documentation) must then exist there. The commands that need a
 * real host (packages, the user, systemctl, the readiness check) are recognised and left out; any other command
 * added to the README fails the test until it is handled here.
 */
class InstallSequenceTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    /** Host-only steps: installing Java, building, the system user, systemd itself, the readiness check. */
    private static final Set<String> HOST_ONLY = Set.of("apt-get", "mvn", "useradd", "java", "systemctl", "curl");
    private static final Pattern ABSOLUTE = Pattern.compile("(?<=\\s)(/(?:opt|etc|var)/\\S*)");
    private static final Pattern UNIT_PATH = Pattern.compile("(?:file://)?(/(?:opt|etc)/junction[^\\s']*)");

    @TempDir
    Path dir;

    @Test
    void theReadmeSequenceInstallsEveryPathTheUnitNames() throws Exception {
        Path source = Files.createDirectories(dir.resolve("src"));
        Path root = Files.createDirectories(dir.resolve("root"));
        // What every systemd host has before the sequence starts.
        Files.createDirectories(root.resolve("etc/systemd/system"));
        for (String f : List.of("README.md", "config/junction.yaml", "systemd/junction.service",
                "systemd/junction.service.d/node-mode.conf")) {
            Files.createDirectories(source.resolve(f).getParent());
            Files.copy(REPO.resolve(f), source.resolve(f));
        }
        // Built by the sequence's mvn step, which needs a host of its own: a stand-in of the same name.
        Files.createDirectories(source.resolve("proxy-agent/target"));
        Files.writeString(source.resolve("proxy-agent/target/junction.jar"), "stand-in");

        List<String> skipped = new ArrayList<>();
        int ran = 0;
        for (String command : installCommands()) {
            String program = command.split("\\s+")[0];
            if (HOST_ONLY.contains(program)) {
                skipped.add(program);
                continue;
            }
            assertThat(program).as("a README install step this test does not know: %s", command)
                    .isEqualTo("install");
            // Ownership needs the system user; the scratch root takes the modes and paths only.
            String scratch = ABSOLUTE.matcher(" " + command.replace(" -o junction", "").replace(" -g junction", ""))
                    .replaceAll(Matcher.quoteReplacement(root.toString()) + "$1").strip();
            Process p = new ProcessBuilder("sh", "-c", scratch).directory(source.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("%s: %s", scratch, out).isZero();
            ran++;
        }
        assertThat(ran).isGreaterThanOrEqualTo(5);
        assertThat(skipped).containsExactlyInAnyOrder("apt-get", "mvn", "useradd", "java", "systemctl", "systemctl",
                "curl");

        String unit = Files.readString(root.resolve("etc/systemd/system/junction.service"));
        Set<String> named = new TreeSet<>();
        Matcher m = UNIT_PATH.matcher(unit);
        while (m.find()) {
            named.add(m.group(1));
        }
        assertThat(named).contains("/opt/junction/junction.jar", "/etc/junction/junction.yaml", "/etc/junction",
                "/opt/junction/README.md");
        // The unit's archive is made by the host-only self-test step, into the directory the sequence creates.
        assertThat(unit).contains("-XX:SharedArchiveFile=/var/lib/junction/junction.jsa");
        assertThat(root.resolve("var/lib/junction")).isDirectory();
        for (String path : named) {
            assertThat(root.resolve(path.substring(1))).as("%s, named by the unit", path).exists();
        }
        assertThat(root.resolve("etc/systemd/system/junction.service.d/node-mode.conf")).exists();
        assertThat(Files.readString(root.resolve("etc/junction/junction.yaml")))
                .isEqualTo(Files.readString(REPO.resolve("config/junction.yaml")));
    }

    /** The shell commands of the README's install block: continuations joined, comments and sudo dropped. */
    private static List<String> installCommands() throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("### Install on a host");
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        String block = readme.substring(start, readme.indexOf("```", start)).replace("\\\n", " ");
        List<String> commands = new ArrayList<>();
        for (String line : block.split("\n")) {
            String command = line.replaceFirst("\\s+#.*$", "").strip();
            if (command.isEmpty() || command.startsWith("#")) {
                continue;
            }
            commands.add(command.replaceFirst("^sudo\\s+(-u\\s+\\S+\\s+)?", ""));
        }
        return commands;
    }
}
