package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Started with {@code java -jar} and no address settings, the demo listens on the loopback
 * interface only: its HTTP API has no authentication, so it is not on the network unless asked.
 */
@ExtendWith(SharedDemoApp.class)
class LoopbackBindingIT {

  /** The local address and port of a listening socket in {@code ss -Hltnp} output. */
  private static final Pattern LISTENER =
      Pattern.compile("^LISTEN\\s+\\d+\\s+\\d+\\s+(\\S+):(\\d+)\\s");

  /**
   * What the demo process listens on, as {@code ss} sees it: the bound address and port of each
   * listening socket.
   */
  private static List<InetSocketAddress> listeners(DemoApp app) throws IOException {
    Tools.assumeInstalled("ss");
    Tools.Result ss = Tools.run(List.of("ss", "-Hltnp"));
    assertThat(ss.exitCode()).as(ss.output()).isZero();
    Assumptions.assumeTrue(ss.output().contains("users:"), "ss shows no processes here");
    List<String> lines =
        ss.output().lines().filter(line -> line.contains("pid=" + app.pid() + ",")).toList();
    return lines.stream().map(LoopbackBindingIT::listener).toList();
  }

  private static InetSocketAddress listener(String line) {
    Matcher m = LISTENER.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    String host = m.group(1).replaceAll("^\\[|]$", "").replaceFirst("^::ffff:", "");
    try {
      // an address literal (or * for all addresses): no name lookup
      InetAddress address = InetAddress.getByName(host.equals("*") ? "::" : host);
      return new InetSocketAddress(address, Integer.parseInt(m.group(2)));
    } catch (IOException e) {
      throw new AssertionError(line, e);
    }
  }

  /** An address of this machine that is not loopback (nor link-local), if it has one. */
  private static Optional<InetAddress> otherLocalAddress() throws SocketException {
    return NetworkInterface.networkInterfaces()
        .filter(
            n -> {
              try {
                return n.isUp() && !n.isLoopback();
              } catch (SocketException e) {
                return false;
              }
            })
        .flatMap(NetworkInterface::inetAddresses)
        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
        .findFirst();
  }

  @Test
  void httpAndSmtpListenOnLoopbackOnly(DemoApp app) throws IOException {
    List<InetSocketAddress> listeners = listeners(app);

    assertThat(listeners)
        .extracting(InetSocketAddress::getPort)
        .contains(app.httpPort(), app.smtpPort());
    assertThat(listeners)
        .allSatisfy(l -> assertThat(l.getAddress().isLoopbackAddress()).as(l.toString()).isTrue());
  }

  @Test
  void connectionsToAnotherAddressOfTheMachineAreNotAccepted(DemoApp app) throws IOException {
    InetAddress other = otherLocalAddress().orElse(null);
    Assumptions.assumeTrue(other != null, "this machine has no address besides loopback");

    for (int port : List.of(app.httpPort(), app.smtpPort())) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      }
      assertThatExceptionOfType(IOException.class)
          .as(other + " port " + port)
          .isThrownBy(
              () -> {
                try (Socket socket = new Socket()) {
                  socket.connect(new InetSocketAddress(other, port), 2000);
                }
              });
    }
  }
}
