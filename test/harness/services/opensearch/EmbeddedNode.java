// A single OpenSearch node for Sluice's tests, run from the Maven Central jars that
// scripts/services/install.sh (install_opensearch) fetches and compiles this file against.
// The distribution's launcher, modules and security plugin are not needed: the node gets the
// netty4 HTTP/transport as a classpath plugin. Arguments are settings, `key=value` each.
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

public final class EmbeddedNode extends Node {
  private EmbeddedNode(Settings settings) {
    super(InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), null, () -> "sluice-test"),
        List.of(Netty4Plugin.class), true);
  }

  public static void main(String[] args) throws Exception {
    Settings.Builder builder = Settings.builder();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) throw new IllegalArgumentException("expected key=value, got " + arg);
      builder.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    EmbeddedNode node = new EmbeddedNode(builder.build());
    // the node's threads are daemons: main waits (as OpenSearch's Bootstrap keep-alive thread does)
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try { node.close(); } catch (Exception e) { e.printStackTrace(); }
      stopped.countDown();
    }));
    node.start();
    System.out.println("sluice: opensearch node started");
    stopped.await();
  }
}
