package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Verb;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The text of a framed command line, for {@link SmtpServerDecoder}. */
final class CommandLineText {

  /** The AUTH verb in lower case, to compare with octets that are lowered with {@code | 0x20}. */
  private static final byte[] AUTH =
      Verb.AUTH.name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);

  private CommandLineText() {}

  /** Whether the input from {@code r} (up to {@code w}) starts with {@code AUTH }. */
  static boolean startsWithAuth(ByteBuf in, int r, int w) {
    if (w - r <= AUTH.length) {
      return false;
    }
    for (int i = 0; i < AUTH.length; i++) {
      if ((in.getByte(r + i) | 0x20) != AUTH[i]) {
        return false;
      }
    }
    return in.getByte(r + AUTH.length) == ' ';
  }

  /** The line as text: ASCII, or else strict UTF-8 (RFC 6531), or a 500 for anything else. */
  static SmtpInput decode(ByteBuf in, int index, int length) {
    if (in.forEachByte(index, length, b -> b >= 0) < 0) {
      return new SmtpInput.CommandLine(in.toString(index, length, StandardCharsets.US_ASCII));
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(in.nioBuffer(index, length))
              .toString();
      return new SmtpInput.CommandLine(text);
    } catch (CharacterCodingException e) {
      return new SmtpInput.BadCommandLine(Replies.INVALID_UTF8);
    }
  }
}
