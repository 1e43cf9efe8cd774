package io.smtpprotocol.server;

/**
 * How a session steers the framing of its input: the one way it talks to {@link SmtpServerDecoder}.
 * Each call says what the session expects next; the decoder delivers it as {@link SmtpInput} events
 * and content slices.
 */
interface SessionInput {

  /** The greeting is out: input from now on is command lines, read when asked for. */
  void greetingSent();

  /** Reads the next command line. */
  void readCommand();

  /** Reads DATA content of at most {@code maxSize} octets, up to its {@code CRLF.CRLF}. */
  void readData(long maxSize);

  /** Reads a BDAT chunk of {@code size} octets; with {@code discard} it is read and dropped. */
  void readChunk(long size, boolean discard);

  /** Pauses the content until {@link #resumeContent()} (the handler reads too slowly). */
  void pauseContent();

  /** Delivers content again after {@link #pauseContent()}. */
  void resumeContent();

  /** Whether the next command lines are the responses of an AUTH exchange, which may be longer. */
  void authExchange(boolean active);

  /** Drops the buffered input: plaintext read after STARTTLS must never be executed. */
  void discardPlaintext();

  /** Stops reading for good. */
  void stop();

  /** Whether the session waits for input it asked for. */
  boolean waiting();

  /** The input through {@code decoder}; outside AUTH, lines are {@code maxLineLength} long. */
  static SessionInput of(SmtpServerDecoder decoder, int maxLineLength) {
    return new SessionInput() {
      @Override
      public void greetingSent() {
        decoder.greetingSent();
      }

      @Override
      public void readCommand() {
        decoder.request();
      }

      @Override
      public void readData(long maxSize) {
        decoder.startData(maxSize);
        decoder.request();
      }

      @Override
      public void readChunk(long size, boolean discard) {
        decoder.startChunk(size, discard);
        decoder.request();
      }

      @Override
      public void pauseContent() {
        decoder.suspend();
      }

      @Override
      public void resumeContent() {
        decoder.request();
      }

      @Override
      public void authExchange(boolean active) {
        decoder.maxLineLength(active ? AuthStep.MAX_AUTH_LINE : maxLineLength);
      }

      @Override
      public void discardPlaintext() {
        decoder.discardBuffered();
      }

      @Override
      public void stop() {
        decoder.stop();
      }

      @Override
      public boolean waiting() {
        return decoder.wantsInput();
      }
    };
  }
}
