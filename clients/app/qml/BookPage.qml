import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    readonly property var b: app.booking
    Label {
        textFormat: Text.PlainText
        text: b.title || ""
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Accessible.role: Accessible.Heading
    }
    Card {
        spacing: Theme.space
        GridLayout {
            columns: 2
            columnSpacing: Theme.space * 2
            Layout.fillWidth: true
            Label { textFormat: Text.PlainText; text: i18n.t("patient:booking.with"); color: Theme.muted }
            Label { textFormat: Text.PlainText; objectName: "bookingWith"; text: b.with || ""; color: Theme.ink; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: i18n.t("patient:booking.where"); color: Theme.muted }
            Label { textFormat: Text.PlainText; text: b.where || ""; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: i18n.t("patient:booking.fee"); color: Theme.muted }
            Label { textFormat: Text.PlainText; objectName: "bookingFee"; text: b.fee || ""; color: Theme.ink; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: i18n.t("patient:booking.cancelling"); color: Theme.muted }
            Label { textFormat: Text.PlainText; text: b.cancelling || ""; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
        }
        Label { textFormat: Text.PlainText; text: i18n.t("patient:booking.reason"); color: Theme.ink }
        TextField { id: reason; Layout.fillWidth: true; maximumLength: 500; Accessible.name: i18n.t("patient:booking.reason") }
        RowLayout {
            PrimaryButton {
                objectName: "confirmBooking"
                text: app.busy > 0 ? i18n.t("patient:booking.booking") : (b.submit || "")
                enabled: app.busy === 0
                onClicked: app.confirmBooking(reason.text)
            }
            PrimaryButton { secondary: true; text: i18n.t("patient:appointment.chooseAnother"); onClicked: app.showPage("practitioner") }
        }
    }
}
