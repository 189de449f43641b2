import QtQuick
import QtQuick.Layouts

// A bordered box on the page's surface, as the web app's .card.
Rectangle {
    id: card
    default property alias content: column.data
    // A card that opens something: the whole card is the target (mouse, Enter, Space).
    property bool clickable: false
    signal clicked()
    activeFocusOnTab: clickable
    border.width: activeFocus ? 2 : 1
    Keys.onReturnPressed: if (clickable) clicked()
    Keys.onSpacePressed: if (clickable) clicked()
    MouseArea {
        anchors.fill: parent
        enabled: card.clickable
        cursorShape: card.clickable ? Qt.PointingHandCursor : Qt.ArrowCursor
        onClicked: { card.forceActiveFocus(); card.clicked() }
    }
    property alias spacing: column.spacing
    Layout.fillWidth: true
    implicitHeight: column.implicitHeight + 2 * 14
    radius: 8
    color: Theme.surface
    border.color: activeFocus ? Theme.focus : Theme.line
    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 14
        spacing: 4
    }
}
