# Script mode: writes OUT, a C++ file defining <NS>::<FN>() -> map of relative path -> content.
set(body "// Generated from files; do not edit.\n#include <map>\n#include <string>\n\nnamespace ${NS} {\n\nconst std::map<std::string, std::string>& ${FN}() {\n  static const std::map<std::string, std::string> kFiles = {\n")
foreach(f ${FILES})
  file(RELATIVE_PATH rel ${BASE} ${f})
  file(READ ${f} content)
  string(APPEND body "      {\"${rel}\", R\"__file__(${content})__file__\"},\n")
endforeach()
string(APPEND body "  };\n  return kFiles;\n}\n\n}  // namespace ${NS}\n")
file(WRITE ${OUT} "${body}")
