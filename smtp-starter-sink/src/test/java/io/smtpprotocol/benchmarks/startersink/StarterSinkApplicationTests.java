package io.smtpprotocol.benchmarks.startersink;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.spring.context.LocalSmtpServerPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(properties = "smtp.server.port=0")
class StarterSinkApplicationTests {

  @LocalSmtpServerPort int port;

  @Test
  void drainsEveryMessageAndAnswers250() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      assertThat(in.readLine()).isEqualTo("220 starter-sink ESMTP ready");
      assertThat(command(in, out, "HELO client.test")).startsWith("250 ");
      assertThat(command(in, out, "MAIL FROM:<bench@example.com>")).startsWith("250 ");
      assertThat(command(in, out, "RCPT TO:<anyone@anywhere.test>")).startsWith("250 ");
      assertThat(command(in, out, "DATA")).startsWith("354 ");
      String body = ("X".repeat(80) + "\r\n").repeat(2000);
      assertThat(command(in, out, body + ".")).isEqualTo("250 2.0.0 Ok: message accepted");
      assertThat(command(in, out, "QUIT")).startsWith("221 ");
    }
  }

  private static String command(BufferedReader in, OutputStream out, String line)
      throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return in.readLine();
  }
}
