# Writes a C++ source defining `const char NAME[]` with the text of IN, so a
# script ships inside the nimbus binary. Run as: cmake -DIN=... -DOUT=... -DNAME=... -P embed_text.cmake
file(READ "${IN}" content)
string(FIND "${content}" ")NIMBUS_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by cmake/embed_text.cmake: do not edit.\nnamespace nimbus::embedded {\nextern const char ${NAME}[] = R\"NIMBUS_EMBED(${content})NIMBUS_EMBED\";\n}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
