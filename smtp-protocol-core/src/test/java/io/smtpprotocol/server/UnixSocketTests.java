package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class UnixSocketTests {

  @TempDir Path dir;

  @Test
  void transactionOverAUnixDomainSocket() throws Exception {
    Path socket = dir.resolve("smtp.sock");
    RecordingHandler handler = new RecordingHandler();
    SmtpServer server =
        SmtpServer.builder().domain("mx.test").unixSocket(socket).handler(handler).build().start();
    try {
      assertThat(server.port()).isEqualTo(-1);
      assertThat(Files.exists(socket)).isTrue();
      try (RawClient c = RawClient.unix(socket)) {
        assertThat(c.reply().line()).isEqualTo("220 mx.test ESMTP ready");
        c.ehlo();
        c.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        assertThat(c.replies(3))
            .extracting(RawClient.WireReply::code)
            .containsExactly(250, 250, 354);
        assertThat(c.command("over the socket\r\n..\r\n.").code()).isEqualTo(250);
        assertThat(c.command("QUIT").code()).isEqualTo(221);
      }
      RecordingHandler.Received m = handler.takeMessage();
      assertThat(m.text()).isEqualTo("over the socket\r\n.\r\n");
      assertThat(m.session().remoteInetAddress()).isEmpty();
    } finally {
      server.close();
    }
    assertThat(Files.exists(socket)).isFalse();
  }

  @Test
  void staleSocketFileIsReplaced() throws Exception {
    Path socket = dir.resolve("stale.sock");
    Files.writeString(socket, "left over");
    SmtpServer server = SmtpServer.builder().domain("mx.test").unixSocket(socket).build().start();
    try (RawClient c = RawClient.unix(socket)) {
      assertThat(c.reply().code()).isEqualTo(220);
    } finally {
      server.close();
    }
  }
}
