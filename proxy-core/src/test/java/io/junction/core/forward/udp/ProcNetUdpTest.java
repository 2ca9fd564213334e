package io.junction.core.forward.udp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing of the kernel's {@code /proc/net/udp} tables, on lines as Linux 6 writes them. */
class ProcNetUdpTest {
    private static final String HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
            + "retrnsmt   uid  timeout inode ref pointer drops             \n";
    private static final String UDP = HEADER
            + "  412: 0100007F:9C41 00000000:0000 07 00000000:00033F00 00:00000000 00000000     0        0 81234 2 "
            + "0000000000000000 1375      \n"
            + "  412: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81235 2 "
            + "0000000000000000 20        \n"
            + " 5000: 0100007F:D2B0 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 81240 2 "
            + "0000000000000000 0         \n";
    private static final String UDP6 = HEADER
            + "   53: 00000000000000000000000001000000:9C41 00000000000000000000000000000000:0000 07 "
            + "00000000:00000000 00:00000000 00000000     0        0 90001 2 0000000000000000 7\n";

    @Test
    void socketsWithDropsAreKeptByInode() throws Exception {
        Map<Long, Long> drops = new HashMap<>();
        ProcNetUdp.parse(new BufferedReader(new StringReader(UDP)), drops);
        assertThat(drops).containsExactlyInAnyOrderEntriesOf(Map.of(81234L, 1375L, 81235L, 20L));
    }

    @Test
    void dropsAreSummedOverTheGivenInodesOfBothTablesAndAMissingTableIsSkipped(@TempDir Path dir) throws Exception {
        Path udp = Files.writeString(dir.resolve("udp"), UDP);
        Path udp6 = Files.writeString(dir.resolve("udp6"), UDP6);
        ProcNetUdp table = new ProcNetUdp(List.of(udp, udp6, dir.resolve("absent")));
        assertThat(table.drops(new long[] {81234, 81235, 90001})).isEqualTo(1375 + 20 + 7);
        assertThat(table.drops(new long[] {81240, 1})).as("no drops, or not a socket of the table").isZero();
    }
}
