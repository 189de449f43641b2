pragma Singleton
import QtQuick

// The web app's design tokens (web/src/styles.css), light and dark.
QtObject {
    property bool dark: false
    readonly property color brand: "#0b6e4f"
    readonly property color brandStrong: "#084d37"
    readonly property color brandText: "#ffffff"
    readonly property color link: dark ? "#7fdcb2" : "#084d37"
    readonly property color ink: dark ? "#e6edf3" : "#1b1f23"
    readonly property color muted: dark ? "#a9b4be" : "#4f5a66"
    readonly property color line: dark ? "#3a4651" : "#c9d1d9"
    readonly property color surface: dark ? "#12171c" : "#ffffff"
    readonly property color surface2: dark ? "#1b2228" : "#f6f8fa"
    readonly property color avatar: dark ? "#24302b" : "#e8eeeb"
    readonly property color danger: dark ? "#ff9b8e" : "#b42318"
    readonly property color dangerSurface: dark ? "#3a1512" : "#fef3f2"
    readonly property color successSurface: dark ? "#0f2a1f" : "#ecfdf3"
    readonly property color successLine: dark ? "#2f6b4f" : "#b7e4c7"
    readonly property color warningSurface: dark ? "#2b2010" : "#fff4e5"
    readonly property color warningLine: dark ? "#8a6a2a" : "#f0b35a"
    readonly property color focus: dark ? "#8fb0ff" : "#1d4ed8"
    readonly property int space: 8
    readonly property int radius: 6
    readonly property int textSm: 13
    readonly property int textMd: 15
    readonly property int textLg: 19
    readonly property int textXl: 24
}
