package io.smtpprotocol.server;

import io.smtpprotocol.protocol.Reply;

/**
 * What {@link SmtpServerDecoder} passes up the pipeline besides message content, which arrives as
 * plain {@link io.netty.buffer.ByteBuf} slices.
 */
sealed interface SmtpInput {

  /** A complete command line, without its CRLF. */
  record CommandLine(String text) implements SmtpInput {
    @Override
    public String toString() {
      return "CommandLine[" + text.length() + " chars]";
    }
  }

  /** A command line that cannot be used: too long, a bare CR or LF, invalid UTF-8. */
  record BadCommandLine(Reply reply) implements SmtpInput {}

  /**
   * The decoder used up its buffered input while the session wanted more: the replies written so
   * far go out now, together, which is how replies to pipelined commands share one flush (RFC
   * 2920).
   */
  record Drained() implements SmtpInput {
    static final Drained INSTANCE = new Drained();
  }

  /** Input arrived before the greeting was sent. */
  record EarlyInput() implements SmtpInput {}

  /** The DATA content turned bad (too large, bare line ending); it is discarded from here on. */
  record ContentProblem(ContentStatus status) implements SmtpInput {}

  /**
   * The exact {@code CRLF.CRLF} ended the DATA content.
   *
   * @param status whether the content is complete or why not
   * @param size content octets after dot-unstuffing (counted up to the limit)
   */
  record ContentEnd(ContentStatus status, long size) implements SmtpInput {}

  /** A BDAT chunk has been read completely. */
  record ChunkEnd(long size) implements SmtpInput {}

  /** How DATA content ended. */
  enum ContentStatus {
    /** The whole message arrived. */
    COMPLETE,
    /** The message exceeded the size limit; the rest was discarded. */
    TOO_LARGE,
    /** A bare CR or LF appeared and the decoder is strict; the rest was discarded. */
    BARE_LINE_ENDING
  }
}
