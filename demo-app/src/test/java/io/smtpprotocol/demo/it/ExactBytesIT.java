package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What goes in comes out: messages sent with smtplib are read back through {@code /raw} byte for
 * byte, and the Maildir file holds them with LF line endings.
 */
@ExtendWith(SharedDemoApp.class)
class ExactBytesIT {

  private static final Pattern STORED_AS = Pattern.compile("stored as (\\S+)");

  @TempDir Path dir;

  /** Sends the file's bytes as one message with smtplib; returns the id from the 250 reply. */
  private static String send(DemoApp app, Path message) throws IOException {
    Tools.assumeInstalled("python3");
    Tools.Result result =
        Tools.python(
            """
            import smtplib, sys
            s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
            s.ehlo("client.example.org")
            s.mail("alice@example.org", ["BODY=8BITMIME"])
            s.rcpt("bob@example.com")
            code, reply = s.data(open(sys.argv[2], "rb").read())
            print(code, reply.decode())
            s.quit()
            """,
            "" + app.smtpPort(),
            message.toString());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).startsWith("250 2.0.0");
    Matcher m = STORED_AS.matcher(result.output());
    assertThat(m.find()).as(result.output()).isTrue();
    return m.group(1);
  }

  private static void assertStoredExactly(DemoApp app, String id, byte[] sent) throws IOException {
    HttpResponse<byte[]> raw = app.getBytes("/api/messages/" + id + "/raw");
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.headers().firstValue("Content-Type")).hasValue("message/rfc822");
    assertThat(raw.body()).isEqualTo(sent);

    JsonNode message = JsonMapper.builder().build().readTree(app.get("/api/messages/" + id).body());
    assertThat(message.get("size").asLong()).isEqualTo(sent.length);

    byte[] inMaildir = Files.readAllBytes(app.maildir().resolve("new").resolve(id));
    String sentText = new String(sent, StandardCharsets.ISO_8859_1);
    assertThat(inMaildir)
        .isEqualTo(sentText.replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void dotStuffedLinesComeBackUnstuffed(DemoApp app) throws IOException {
    byte[] sent =
        ("Subject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\n..two dots\r\n. \r\nend\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    Path file = Files.write(dir.resolve("dots.eml"), sent);

    assertStoredExactly(app, send(app, file), sent);
  }

  @Test
  void eightBitContentComesBackUnchanged(DemoApp app) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        "Subject: 8-bit\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    for (int b = 0x80; b <= 0xff; b++) {
      out.write(b);
      if (b % 32 == 31) {
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
    out.writeBytes("caf\u00e9 in UTF-8\r\n".getBytes(StandardCharsets.UTF_8));
    byte[] sent = out.toByteArray();
    Path file = Files.write(dir.resolve("8bit.eml"), sent);

    assertStoredExactly(app, send(app, file), sent);
  }

  @Test
  void aFiveMebibyteMessageComesBackByteForByte(DemoApp app) throws IOException {
    Random random = new Random(42);
    ByteArrayOutputStream out = new ByteArrayOutputStream(5 * 1024 * 1024 + 1024);
    out.writeBytes("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] line = new byte[76];
    while (out.size() < 5 * 1024 * 1024) {
      for (int i = 0; i < line.length; i++) {
        line[i] = (byte) (0x21 + random.nextInt(0x5e)); // printable, '.' included
      }
      out.writeBytes(line);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    byte[] sent = out.toByteArray();
    Path file = Files.write(dir.resolve("big.eml"), sent);

    assertStoredExactly(app, send(app, file), sent);
  }
}
