package io.smtpprotocol.benchmarks.startersink;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.spring.context.LocalSmtpServerPort;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(properties = "smtp.server.port=0")
class StarterSinkApplicationTests {

  @LocalSmtpServerPort int port;

  @Test
  void drainsEveryMessageAndAnswers250() throws IOException {
    try (RawClient c = new RawClient(port)) {
      assertThat(c.reply().line()).isEqualTo("220 starter-sink ESMTP ready");
      assertThat(c.command("HELO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<bench@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<anyone@anywhere.test>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      String body = ("X".repeat(80) + "\r\n").repeat(2000);
      assertThat(c.command(body + ".").line()).isEqualTo("250 2.0.0 Ok: message accepted");
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
  }
}
