import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window

ApplicationWindow {
    id: window
    width: 1100
    height: 780
    minimumWidth: 320
    minimumHeight: 480
    visible: true
    title: i18n.t("common:brand")
    color: Theme.surface2
    palette.window: Theme.surface2
    palette.base: Theme.surface
    palette.text: Theme.ink
    palette.windowText: Theme.ink
    palette.buttonText: Theme.ink
    palette.button: Theme.surface
    palette.highlight: Theme.brand
    palette.placeholderText: Theme.muted
    font.family: "Noto Sans"
    Component.onCompleted: Theme.dark = app.dark

    readonly property bool narrow: width < 700

    header: ToolBar {
        background: Rectangle { color: Theme.brand }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: Theme.space * 2
            anchors.rightMargin: Theme.space
            spacing: Theme.space
            Label {
                textFormat: Text.PlainText
                text: i18n.t("common:brand")
                color: Theme.brandText
                font.bold: true
                font.pixelSize: Theme.textLg
                Accessible.role: Accessible.Heading
            }
            Item { Layout.fillWidth: true }
            NavButton {
                objectName: "nav-search"
                visible: app.signedIn && !window.narrow
                text: i18n.t("common:nav.search")
                page: "search"
            }
            NavButton {
                visible: app.signedIn && !window.narrow
                text: i18n.t("common:nav.appointments")
                page: "appointments"
            }
            NavButton {
                visible: app.signedIn && !window.narrow
                text: i18n.t("common:nav.consultations")
                page: "consultations"
            }
            NavButton {
                visible: app.signedIn && (app.practitioner || app.frontDesk) && !window.narrow
                text: i18n.t("common:nav.myDay")
                page: "schedule"
            }
            NavButton {
                objectName: "notificationsButton"
                visible: app.signedIn
                iconFile: window.narrow ? "bell.svg" : ""
                text: window.narrow ? (app.unreadCount > 0 ? String(app.unreadCount) : "")
                                    : i18n.t("common:nav.notifications") + (app.unreadCount > 0 ? " (" + app.unreadCount + ")" : "")
                page: "notifications"
                Accessible.name: i18n.t("common:nav.notificationsLabel", {count: app.unreadCount})
            }
            NavButton {
                text: i18n.t("common:language.switchTo")
                Accessible.name: i18n.t("common:language.switchToLabel")
                onClicked: app.setLanguage(i18n.language === "hi" ? "en" : "hi")
            }
            NavButton {
                visible: app.signedIn
                iconFile: window.narrow ? "menu.svg" : ""
                text: window.narrow ? "" : i18n.t("common:nav.signOut")
                Accessible.name: window.narrow ? i18n.t("common:nav.menu") : text
                onClicked: window.narrow ? menu.open() : app.signOut()
                Menu {
                    id: menu
                    y: parent.height
                    MenuItem { text: i18n.t("common:nav.search"); onTriggered: app.showPage("search") }
                    MenuItem { text: i18n.t("common:nav.appointments"); onTriggered: app.showPage("appointments") }
                    MenuItem { text: i18n.t("common:nav.consultations"); onTriggered: app.showPage("consultations") }
                    MenuItem { visible: app.practitioner || app.frontDesk; height: visible ? implicitHeight : 0; text: i18n.t("common:nav.myDay"); onTriggered: app.showPage("schedule") }
                    MenuItem { text: i18n.t("common:nav.signOut"); onTriggered: app.signOut() }
                }
            }
        }
    }

    component NavButton: ToolButton {
        id: nav
        property string page
        background: Rectangle {
            implicitHeight: 40
            color: nav.down || nav.hovered ? Qt.rgba(1, 1, 1, 0.16) : "transparent"
            border.color: nav.visualFocus ? "white" : "transparent"
            border.width: 2
        }
        property string iconFile
        contentItem: Row {
            spacing: 4
            Image {
                visible: nav.iconFile !== ""
                source: nav.iconFile
                sourceSize: Qt.size(22, 22)
                anchors.verticalCenter: parent.verticalCenter
            }
            Label {
                textFormat: Text.PlainText
                visible: nav.text !== ""
                text: nav.text
                color: Theme.brandText
                font.pixelSize: Theme.textMd
                font.underline: nav.page !== "" && app.page === nav.page
                anchors.verticalCenter: parent.verticalCenter
            }
        }
        Accessible.name: text
        onClicked: if (page !== "") app.showPage(page)
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: Math.min(scroll.availableWidth, 1000)
            x: Math.max(0, (scroll.availableWidth - width) / 2)
            spacing: Theme.space * 1.5
            Item { implicitHeight: Theme.space }
            Banner {
                Layout.leftMargin: Theme.space * 2
                Layout.rightMargin: Theme.space * 2
                kind: "warning"
                text: app.online ? "" : i18n.t("common:offline")
            }
            Banner {
                objectName: "errorBanner"
                Layout.leftMargin: Theme.space * 2
                Layout.rightMargin: Theme.space * 2
                text: app.error
                onDismissed: app.clearMessages()
            }
            Banner {
                objectName: "noticeBanner"
                Layout.leftMargin: Theme.space * 2
                Layout.rightMargin: Theme.space * 2
                kind: "notice"
                text: app.notice
                onDismissed: app.clearMessages()
            }
            Loader {
                id: pageLoader
                Layout.fillWidth: true
                Layout.leftMargin: Theme.space * 2
                Layout.rightMargin: Theme.space * 2
                source: ({
                    signin: "SignInPage.qml", mfa: "MfaPage.qml", search: "SearchPage.qml",
                    practitioner: "PractitionerPage.qml", book: "BookPage.qml",
                    appointments: "AppointmentsPage.qml", notifications: "NotificationsPage.qml",
                    schedule: "SchedulePage.qml", consultations: "ConsultationsPage.qml",
                    consultation: "ConsultationPage.qml"
                })[app.page] || "SignInPage.qml"
            }
            BusyIndicator {
                Layout.alignment: Qt.AlignHCenter
                running: app.busy > 0
                visible: running
                Accessible.name: i18n.t("common:loading")
            }
            Item { implicitHeight: Theme.space * 2 }
        }
    }
}
