package io.smtpprotocol.demo.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The security headers of every response (the page, its files, the API, the actuator, the error
 * pages): no MIME sniffing, never in a frame, no referrer, and a Content-Security-Policy under
 * which the page loads its scripts, styles and data from its own origin only, with nothing inline.
 * A response that carries a received message replaces the policy with {@link #SANDBOX_POLICY}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeadersFilter extends OncePerRequestFilter {

  static final String CONTENT_SECURITY_POLICY = "Content-Security-Policy";

  /** The page's policy: {@code static/} and the API of this origin, nothing inline, no frames. */
  static final String PAGE_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
          + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /**
   * The policy for bytes a client sent over SMTP: should a browser ever treat them as a document,
   * it runs in a sandbox (a unique origin, no scripts, no forms, no plugins) and loads nothing.
   */
  static final String SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'";

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    response.setHeader(CONTENT_SECURITY_POLICY, PAGE_POLICY);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    chain.doFilter(request, response);
  }

  /** Error pages get the headers too. */
  @Override
  protected boolean shouldNotFilterErrorDispatch() {
    return false;
  }
}
