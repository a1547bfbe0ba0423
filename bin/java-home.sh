# Sourced by bin/overlaynet and bin/test: finds a JDK >= 25 and exports JAVA_HOME.
# Order: $JAVA_HOME if it is new enough, then the newest /usr/lib/jvm/* that is.

overlaynet_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

overlaynet_find_java() {
  local want=25 candidate major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(overlaynet_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge "$want" ] 2>/dev/null; then
      export JAVA_HOME
      return 0
    fi
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(overlaynet_java_major "$candidate")
    if [ "${major:-0}" -ge "$want" ] 2>/dev/null; then
      export JAVA_HOME=$candidate
      return 0
    fi
  done
  echo "overlaynet: no JDK ${want} or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "overlaynet: install one (e.g. Temurin 25: apt-get install temurin-25-jdk) or set JAVA_HOME to it." >&2
  return 1
}
