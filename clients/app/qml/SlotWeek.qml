import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A week of free times: one column per day (a row per day when narrow), each time a button.
// `days`: [{label, slots: [{index, time, video, label}]}]; picking one emits picked(index).
Item {
    id: root
    property var days: []
    property string noneText: "No free times"
    property string videoText: "video"
    property bool narrow: width < 640
    property var moreText: function(n) { return "Show " + n + " more" }
    signal picked(int index)
    implicitHeight: grid.implicitHeight
    Accessible.role: Accessible.Table

    GridLayout {
        id: grid
        width: root.width
        columns: root.narrow ? 1 : Math.max(1, root.days.length)
        columnSpacing: Theme.space
        rowSpacing: Theme.space
        Repeater {
            model: root.days
            delegate: ColumnLayout {
                required property var modelData
                required property int index
                property bool expanded: false
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 10
                spacing: 4
                Label {
                    textFormat: Text.PlainText
                    objectName: "dayLabel"
                    text: modelData.label
                    font.bold: true
                    font.pixelSize: Theme.textSm
                    color: Theme.ink
                    Accessible.role: Accessible.ColumnHeader
                }
                Label {
                    textFormat: Text.PlainText
                    visible: modelData.slots.length === 0
                    text: root.noneText
                    color: Theme.muted
                    font.pixelSize: Theme.textSm
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: 4
                    Repeater {
                        model: expanded ? modelData.slots : modelData.slots.slice(0, 12)
                        delegate: Chip {
                            required property var modelData
                            objectName: "slot"
                            text: modelData.time + (modelData.video ? " · " + root.videoText : "")
                            Accessible.name: modelData.label + (modelData.video ? ", " + root.videoText : "")
                            onClicked: root.picked(modelData.index)
                        }
                    }
                }
                Button {
                    Accessible.name: text
                    objectName: "more"
                    visible: !expanded && modelData.slots.length > 12
                    flat: true
                    text: root.moreText(modelData.slots.length - 12)
                    font.pixelSize: Theme.textSm
                    onClicked: expanded = true
                }
            }
        }
    }
}
