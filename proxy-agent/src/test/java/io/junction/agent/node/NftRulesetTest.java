package io.junction.agent.node;

import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The scripts node mode hands to {@code nft -f -}: exact text, sorted, whatever the input order. */
class NftRulesetTest {
    private static final ServiceKey WEB = ServiceKey.of("web", Protocol.TCP);
    private static final ServiceKey DNS = ServiceKey.of("dns", Protocol.UDP);

    private static Redirect redirect(String ip, int port, ServiceKey key, int local) throws Exception {
        return new Redirect(new InetSocketAddress(InetAddress.getByName(ip), port), key.protocol(), local, key);
    }

    @Test
    void replaceDeclaresTheWholeTableAfterDeletingItInOneScript() throws Exception {
        String script = NftRuleset.replace(List.of(
                redirect("fd00::10", 53, DNS, 40002),
                redirect("10.96.0.10", 80, WEB, 40001),
                redirect("10.96.0.10", 53, DNS, 40002),
                redirect("10.96.0.9", 443, WEB, 40001)));

        assertThat(script).isEqualTo("""
                table inet junction {}
                delete table inet junction
                table inet junction {
                \tchain services {
                \t\tip daddr 10.96.0.9 tcp dport 443 redirect to :40001 comment "default/web/tcp"
                \t\tip daddr 10.96.0.10 tcp dport 80 redirect to :40001 comment "default/web/tcp"
                \t\tip daddr 10.96.0.10 udp dport 53 redirect to :40002 comment "default/dns/udp"
                \t\tip6 daddr fd00:0:0:0:0:0:0:10 udp dport 53 redirect to :40002 comment "default/dns/udp"
                \t}
                \tchain prerouting {
                \t\ttype nat hook prerouting priority dstnat; policy accept;
                \t\tjump services
                \t}
                \tchain output {
                \t\ttype nat hook output priority -100; policy accept;
                \t\tjump services
                \t}
                }
                """);
    }

    @Test
    void theTextDoesNotDependOnTheInputOrder() throws Exception {
        List<Redirect> rules = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ServiceKey key = ServiceKey.of("s" + i, i % 2 == 0 ? Protocol.TCP : Protocol.UDP);
            rules.add(redirect("10.96." + (i / 250) + "." + (i % 250), 80 + i % 3, key, 30_000 + i));
        }
        String sorted = NftRuleset.replace(rules);
        Collections.shuffle(rules, new Random(42));

        assertThat(NftRuleset.replace(rules)).isEqualTo(sorted);
        assertThat(sorted.lines().filter(l -> l.contains("redirect to"))).hasSize(300);
    }

    @Test
    void anEmptySetStillOwnsTheTableWithItsHooks() {
        String script = NftRuleset.replace(List.of());

        assertThat(script).startsWith("table inet junction {}\ndelete table inet junction\n")
                .contains("\tchain services {\n\t}\n").contains("type nat hook output priority -100;");
    }

    @Test
    void removeSucceedsWhetherOrNotTheTableExists() {
        assertThat(NftRuleset.remove()).isEqualTo("table inet junction {}\ndelete table inet junction\n");
    }

    @Test
    void longServiceNamesAreCutToNftsCommentLimit() throws Exception {
        String name = "n".repeat(63);
        ServiceKey key = new ServiceKey(name, name, "p".repeat(15), Protocol.TCP);

        String rule = NftRuleset.rule(redirect("10.0.0.1", 80, key, 1234));

        String comment = rule.substring(rule.indexOf('"') + 1, rule.lastIndexOf('"'));
        assertThat(comment).hasSize(128).endsWith("...");
    }
}
